from kmsguard.cli.command import console

if __name__ == "__main__":
    console()
