"""What the night tells people: each agency's feedback workbook, the alerts on shared channels (with personal data
masked), and the clerk's wording of a verdict."""
