"""Music analysis, usable without beets.

``decode`` (ffmpeg excerpts), ``analyze`` (essentia: key, tempo, cues), ``loudness``
(EBU R128), ``batch`` (many files in worker processes), ``affect`` (valence/arousal from
cues and tags), ``moodtags`` (the mood-tag table), ``lastfm`` (pylast client with cache),
``progress`` (terminal bar), ``samples`` (generated test music), ``midi`` (MIDI files
played with fluidsynth), ``compose`` (the demo's instrumental pieces), ``library`` (read
tracks from beets).
"""
