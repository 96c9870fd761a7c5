from tinnhiem.cli import main

main()
