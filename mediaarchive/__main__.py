from mediaarchive.cli import main

main()
