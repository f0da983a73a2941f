window = 2
