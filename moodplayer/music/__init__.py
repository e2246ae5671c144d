"""Music analysis, usable without beets: decode, analyse, Last.fm tags, emotion estimate.

Modules: ``decode`` (ffmpeg excerpts), ``analyze`` (essentia cues), ``affect``
(valence/arousal from cues and tags), ``lastfm`` (pylast + the mood-tag table),
``samples`` (generated test audio), ``library`` (read tracks from beets).
"""
