"""`staffq demo`: a Tân Uyên workspace and an inbox of realistic, partly hostile agency files."""
