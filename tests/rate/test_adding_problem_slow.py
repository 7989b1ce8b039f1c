"""The adding problem at T = 100 (Le et al. 2015 variant): LSTM solves it, the RNN does not."""

import pytest

from biornn.experiments.demonstrations import adding_problem_experiment


@pytest.mark.slow
def test_lstm_solves_the_adding_problem_and_the_vanilla_rnn_does_not():
    lstm = adding_problem_experiment("lstm", n_units=32, n_epochs=10, seed=0)
    rnn = adding_problem_experiment("rnn", n_units=32, n_epochs=10, seed=0)
    assert lstm["test_mse"] < 0.1 * lstm["baseline_mse"]
    assert rnn["test_mse"] > 0.5 * rnn["baseline_mse"]
