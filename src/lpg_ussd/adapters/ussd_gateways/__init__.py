"""ussd_gateways adapters."""
