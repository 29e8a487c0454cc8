"""Talking to a WordPress: the REST and XML-RPC clients, discovery and connecting."""
