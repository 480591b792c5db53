"""The modules of ember.nn: the Module base, the C++ layers' wrappers, containers and losses."""
