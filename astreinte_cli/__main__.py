from astreinte_cli.entry import main

main()
