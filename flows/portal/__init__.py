"""The clerks' portal: agencies sign in, check a list, send it to the inbox and read what the night made of it."""
