"""Use cases and the USSD dialogue; speaks to the world only through ports."""
