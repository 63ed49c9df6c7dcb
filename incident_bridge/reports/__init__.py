"""Reports: the figures the regulations ask for, aggregated in SQL, drawn and exported."""
