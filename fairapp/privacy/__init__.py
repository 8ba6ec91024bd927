"""Personal data duties (PDPA B.E. 2562): the registry of processing and the notices made from it."""
