<%= it.comment %>
static int <%= it.function %>(struct pci_dev *dev, <%= it.probeType %> probe)
{
	if (probe)
		return 0;

<% for (const w of it.writes) { -%>
	pci_write_config_<%= w.accessor %>(dev, <%= w.offset %>, <%= w.value %>);
<% } -%>

	return 0;
}
