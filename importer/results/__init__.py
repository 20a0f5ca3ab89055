"""What a run leaves: the results and errors files, each row's outcome read back, the Report and its HTML page."""
