"""Sources of raw bytes: a local folder (snapshot) today, a web crawler next; both end in the raw store."""
