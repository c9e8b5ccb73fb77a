import sys

from calsync.cli.main import main

sys.exit(main())
