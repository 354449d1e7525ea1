using SaasMonitor;
using SaasMonitor.Operator;

if (OperatorCommands.Handles(args))
{
    return await OperatorCommands.RunAsync(args, Console.Out, Console.Error);
}

await AllInOne.Build(args).RunAsync();
return 0;
