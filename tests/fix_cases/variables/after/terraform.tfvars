window = 7
