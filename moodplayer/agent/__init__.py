"""The running service: main loop, state store, D-Bus control interface, CLI."""
