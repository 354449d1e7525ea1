using SaasMonitor;

AllInOne.Build(args).Run();
