from astreinte_cli.cli import main

main()
