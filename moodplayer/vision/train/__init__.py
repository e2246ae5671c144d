"""Training and export of the project's expression model (the optional ``train`` extra).

``python -m moodplayer.vision.train fit ...`` trains on an image-folder data set
(FER-2013 layout ``SPLIT/CLASS/NAME.jpg``) with PyTorch on the CPU or a GPU;
``python -m moodplayer.vision.train export ...`` writes the ONNX file and its model card.
Inputs go through :func:`moodplayer.vision.preprocess.prepare_pixels`, the same
function inference uses.
"""

#: Training precisions, with the words the model card uses for each.
PRECISIONS = {
    "bf16": "bfloat16 autocast on channels-last tensors (float32 weights, updates and "
            "evaluation)",
    "fp32": "float32 throughout",
}
