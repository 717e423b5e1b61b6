from terrapole.cli import main

main()
