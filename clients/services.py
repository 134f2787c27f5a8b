"""Services of the clients app."""
