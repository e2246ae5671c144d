"""The project's exceptions: one base class, one subclass per layer."""


class MoodplayerError(Exception):
    """Base of every error moodplayer raises on purpose; its message is for the user."""


class ConfigError(MoodplayerError):
    """A configuration value is invalid; the message names the key and what was expected."""


class AnalysisError(MoodplayerError):
    """One track could not be decoded or analysed; the run goes on without it."""


class VisionError(MoodplayerError):
    """A camera, detector or expression model could not be used."""


class PlayerError(MoodplayerError):
    """A media player could not be reached or refused a request."""


class RecommendError(MoodplayerError):
    """Tracks could not be ranked (no library, no annotations, bad mapping table)."""


class StateError(MoodplayerError):
    """The agent's state store could not be opened or written."""
