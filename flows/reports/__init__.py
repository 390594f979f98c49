"""`staffq report`: the city's indicators in the terminal, Markdown, an HTML page and the official forms."""
