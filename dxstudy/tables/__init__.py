"""The tables of one fiscal year: the Report container, writing/reading data/processed/FY<y>/, cell safety, all years."""
