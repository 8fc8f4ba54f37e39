"""The journey benchmark: a load generator, a bare baseline app, and a runner."""
