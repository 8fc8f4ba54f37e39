"""Ways in: the HTTP app and the console command."""
