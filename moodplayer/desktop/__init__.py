"""What a person sees on the desktop: the tray indicator, a front over the agent.

``Tray`` puts a StatusNotifierItem (``sni``) with a ``com.canonical.dbusmenu`` menu
(``dbusmenu``) on the session bus, follows the agent's control-interface signals and acts
through its ``Controller``; ``states`` names what the icon can show. Everything runs on
the GLib main loop of dbus-python; nothing here needs GTK or X11.
"""

from moodplayer.desktop.states import TRAY_STATES, TrayState, tray_state
from moodplayer.desktop.tray import Tray

__all__ = ["TRAY_STATES", "Tray", "TrayState", "tray_state"]
