"""Imports every cell module so that the registry knows them."""
