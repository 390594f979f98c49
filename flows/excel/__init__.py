"""Workbooks written for people: the shared cell, title block and page helpers, and the template agencies fill in."""
