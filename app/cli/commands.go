package cli

// commands lists every command, in the order `help` shows them.
// Add one line per command.
func commands() []Command {
	return []Command{
		versionCommand(),
		helpCommand(),
		inspectCommand(),
		discoverCommand(),
		collectionsCommand(),
		pollCommand(),
		pushCommand(),
		subscribeCommand(),
		listenCommand(),
		profilesCommand(),
		cacheCommand(),
	}
}
