"""Publishing a reflection document to a WordPress, over REST or XML-RPC."""
