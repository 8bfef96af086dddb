"""Raw bulletin text → articles: decode, split, rejoin, drop repeats, classify, places."""
