from bizcenter.cli import main

main()
