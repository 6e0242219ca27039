"""Channel adapters: translate each channel's messages to and from the switchboard's."""
