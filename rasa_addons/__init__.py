"""Code that runs inside the Rasa process (Python 3.10): custom NLU components."""
