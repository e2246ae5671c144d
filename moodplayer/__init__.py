"""moodplayer: mood-aware music for the player you already use.

Packages, one concern each: ``emotion`` (the shared valence-arousal vocabulary),
``music`` (audio analysis and Last.fm tags), ``vision`` (camera to smoothed mood),
``recommend`` (mood to ranked tracks, learning from feedback), ``player`` (MPRIS and
per-player queues over D-Bus) and ``agent`` (the service that composes them).
"""

__version__ = "0.1.0"
