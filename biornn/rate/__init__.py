"""Rate-based models in numpy/scipy: ESN, Hopfield, RNN (BPTT/RTRL), LSTM, FORCE.

Nothing here imports Brian2.
"""
