"""The tables of one fiscal year: the Report container and table files (store), building data/processed/FY<y>/ (build), cell safety, all years."""
