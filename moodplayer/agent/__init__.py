"""The running service: main loop, state store, D-Bus control interface, CLI.

Modules, one concern each (imported where used, so the CLI starts fast):
``config`` (the ``moodplayer:`` section of the beets config), ``store`` (SQLite state),
``service`` (``moodplayer run``: the ``Agent`` on the GLib loop), ``queue`` (the queue
policy), ``hands`` (the player part, as the agent uses it), ``camera`` and ``scripted``
(mood sources), ``defaults`` (what plays when not steering), ``control`` (the D-Bus
interface and its client), ``notify``, ``report``, ``unit`` (systemd), ``demo`` and
``commands`` (the subcommands).
"""
