from astreinte_cli.cli.entry import main

main()
