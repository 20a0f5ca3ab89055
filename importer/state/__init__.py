"""The state file beside the results: its schema and every SQL statement run on it (exactly-once rests here)."""
