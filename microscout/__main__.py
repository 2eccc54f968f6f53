from microscout._main import main

main()
