from tinnhiem.cli import main

# Guarded: worker processes (ballots, tally) started with "spawn" on Windows re-import this module.
if __name__ == "__main__":
    main()
