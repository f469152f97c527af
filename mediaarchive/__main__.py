from mediaarchive.cli import run

run()
