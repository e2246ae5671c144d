"""The project's shipped models and their cards, installed as ``moodplayer.models``.

Data only: ask :func:`moodplayer.resources.model_file` for a file by name.
"""
