"""The judging side: the plugin contract, candidates, evaluation, shortlists, exports."""
