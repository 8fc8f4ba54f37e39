"""The USSD dialogue: an engine that owns navigation, and journeys that declare screens."""
